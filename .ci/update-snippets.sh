#!/usr/bin/env bash
# Regenerates the compiled copies of the documentation's C# blocks (tests/Toil.Runtime.DocSnippets/Snippets) from
# README.md, docs/*.md and src/*/README.md, then builds them: a block that does not compile fails here.
# See docs/contributing-docs.md.
set -euo pipefail
cd "$(dirname "$0")/.."
project=tests/Toil.Runtime.DocSnippets/Toil.Runtime.DocSnippets.csproj
# 1. Rewrite the copies from the docs, with a build that leaves the copies out (they may not compile yet).
TOIL_UPDATE_SNIPPETS=1 dotnet test "$project" -c Release -p:ToilSnippetsUpdate=true --filter "FullyQualifiedName~DocSnippetTests" --nologo -v:q \
  | grep -E "updated|created|error" || true
# 2. Build them as CI does and run the checks (and the snippets that are tests).
dotnet test "$project" -c Release -warnaserror --nologo
