#!/usr/bin/env bash
# Copy the files git knows (tracked or new, not ignored) to $1, for tools that need a real
# ansible_collections/<namespace>/<name> directory (ansible-test).
set -euo pipefail
dest=$1
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -cf - -T - | tar -xf - -C "$dest"
# ansible-test lists files with git; inside this checkout's ignored .cache it would see none.
git -C "$dest" init -q
git -C "$dest" add -A
