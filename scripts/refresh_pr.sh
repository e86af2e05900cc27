#!/bin/sh
# Commit the refreshed member data on a branch and open (or update) its pull request, with the change
# list that `build.py refresh-members` printed as the body. Run by
# .github/workflows/refresh-members.yml after the refresh, and only when the members file changed.
#
# Usage: sh scripts/refresh_pr.sh CHANGES_FILE
# Environment: GH_TOKEN (used for this push and by gh; never written to .git/config),
#              BASE (the branch the pull request goes into; default main),
#              BRANCH (default refresh-members), GH_REPO (owner/name, for gh).
set -eu
changes="${1:?usage: sh scripts/refresh_pr.sh CHANGES_FILE}"
: "${GH_TOKEN:?GH_TOKEN is not set: the workflow passes the job's GITHUB_TOKEN}"
BASE="${BASE:-main}"
BRANCH="${BRANCH:-refresh-members}"
[ "$BASE" != "$BRANCH" ] || { echo "error: run this from $BASE, not from $BRANCH." >&2; exit 1; }

title="Refresh sitting members ($(date -u +%Y-%m-%d))"
body="$(mktemp)"
lines="$(wc -l <"$changes")"
{
  head -n 400 "$changes"  # a pull request body holds 65,536 characters
  [ "$lines" -le 400 ] || printf '\n... and %s more lines: see the log of this workflow run.\n' "$((lines - 400))"
  printf '\n\n---\nOpened by the weekly refresh-members workflow (`python build.py refresh-members`).'
  printf ' Merging it rebuilds only the briefings of the seats listed above.\n'
} >"$body"

git switch --quiet -C "$BRANCH"
git add -- data/
git -c user.name="github-actions[bot]" \
    -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
    commit --quiet -m "$title" -m "$(head -n 40 "$changes")"
# The token goes to git for this one push only (the checkout did not keep any credentials).
auth="$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 | tr -d '\n')"
git -c "http.https://github.com/.extraheader=AUTHORIZATION: basic $auth" \
    push --quiet --force origin "HEAD:refs/heads/$BRANCH"

open="$(gh pr list --head "$BRANCH" --base "$BASE" --state open --json number --jq '.[0].number')"
if [ -n "$open" ]; then
  gh pr edit "$open" --title "$title" --body-file "$body"
  echo "updated pull request #$open"
else
  gh pr create --base "$BASE" --head "$BRANCH" --title "$title" --body-file "$body"
fi
rm -f "$body"
