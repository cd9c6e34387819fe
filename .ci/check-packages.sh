#!/usr/bin/env bash
# Packs every package of the repository (every packable project in Toil.Runtime.sln: the projects under src/) and
# reads each nuspec, failing on a missing field (docs/decisions.md, "Packages"). Needs python3 (.ci/install has it).
#   bash .ci/check-packages.sh              # build and pack
#   bash .ci/check-packages.sh --no-build   # pack what `dotnet build -c Release` built (.ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
no_build=()
[ "${1:-}" = "--no-build" ] && no_build=(--no-build)

timeout 1200 dotnet pack Toil.Runtime.sln -c Release "${no_build[@]}" -o "$out" -warnaserror -nologo -v:q >"$out/pack.log" 2>&1 \
  || { tail -40 "$out/pack.log"; echo "check-packages: dotnet pack failed"; exit 1; }

# The repository URL the packages must carry: the one property ToilRepositoryUrl, filled from the git remote 'origin'
# when that is https (Directory.Build.targets); with no public remote the packages carry none (never an invented one).
expected_url=$(git remote get-url origin 2>/dev/null || true)
case "$expected_url" in https://*) expected_url=${expected_url%.git} ;; *) expected_url= ;; esac

python3 - "$out" "$expected_url" <<'EOF'
import glob, os, re, sys, zipfile
import xml.etree.ElementTree as ET

out, expected_url = sys.argv[1], sys.argv[2]
required_ids = {"Toil.Runtime", "Toil.Runtime.Executors", "Toil.Runtime.Testing", "Toil.Runtime.Cli"}
problems, seen = [], set()

def text(meta, name):
    e = meta.find(name)
    return (e.text or "").strip() if e is not None else ""

for nupkg in sorted(glob.glob(os.path.join(out, "*.nupkg"))):
    with zipfile.ZipFile(nupkg) as z:
        names = z.namelist()
        nuspec = next(n for n in names if n.endswith(".nuspec") and "/" not in n)
        root = ET.fromstring(z.read(nuspec))
    ns = {"n": root.tag[1:].split("}")[0]} if root.tag.startswith("{") else {}
    q = lambda tag: f"n:{tag}" if ns else tag
    meta = root.find(q("metadata"), ns)
    pid = text(meta, q("id")) if not ns else (meta.find("n:id", ns).text or "")
    get = lambda tag: ((meta.find(q(tag), ns).text or "").strip() if meta.find(q(tag), ns) is not None else "")
    seen.add(pid)
    def need(cond, what):
        if not cond:
            problems.append(f"{os.path.basename(nupkg)}: {what}")
    for field in ("id", "version", "authors", "description", "tags", "readme"):
        need(get(field), f"missing <{field}>")
    lic = meta.find(q("license"), ns)
    need(lic is not None and lic.get("type") == "expression" and (lic.text or "").strip() == "Apache-2.0", "license is not the expression Apache-2.0")
    need(get("readme") in names, f"readme '{get('readme')}' is not in the package")
    repo = meta.find(q("repository"), ns)
    need(repo is not None and re.fullmatch(r"[0-9a-f]{40}", repo.get("commit", "")), "<repository> has no commit")
    url = repo.get("url", "") if repo is not None else ""
    if expected_url:
        need(url.rstrip("/") == expected_url, f"repository url '{url}', expected '{expected_url}' (the git remote)")
        need(get("projectUrl").rstrip("/") == expected_url, f"projectUrl '{get('projectUrl')}', expected '{expected_url}'")
        need(repo is not None and repo.get("type") == "git", "repository type is not git")
    else:
        # No public remote: the URL is omitted, never invented.
        need(not url and not get("projectUrl"), f"a repository or project URL ('{url or get('projectUrl')}') although the checkout has no public remote")
    for dep in meta.iter(f"{{{ns['n']}}}dependency" if ns else "dependency"):
        if re.fullmatch(r"Microsoft\.Extensions\.(Logging|Logging\.Abstractions|Logging\.Console|Options|DependencyInjection|DependencyInjection\.Abstractions|Hosting|Hosting\.Abstractions)", dep.get("id", "")):
            need(dep.get("version") == "10.0.0", f"depends on {dep.get('id')} {dep.get('version')}; the libraries keep the lowest 10.0 version (docs/decisions.md)")
    need(not any(os.path.basename(n).startswith("toil-") for n in names), "carries toil-* alias programs (toil install-aliases makes them)")
    assemblies = [n for n in names if n.endswith(".dll") and (n.startswith("lib/") or (n.startswith("tools/") and os.path.basename(n)[:-4].lower() in ("toil", pid.lower())))]
    snupkg = nupkg[:-len(".nupkg")] + ".snupkg"
    if not os.path.exists(snupkg):
        need(False, "no symbols package (.snupkg)")
    else:
        with zipfile.ZipFile(snupkg) as s:
            pdbs = set(s.namelist())
        for a in assemblies:
            need(a[:-4] + ".pdb" in pdbs, f"no {a[:-4]}.pdb in the symbols package")
    need(assemblies, "no assembly of its own")
    print(f"check-packages: {pid} {get('version')}: readme, tags, licence, commit, symbols ({len(assemblies)} assembl{'y' if len(assemblies) == 1 else 'ies'}), url {'=' + url if url else 'omitted (no public remote)'}")

for missing in sorted(required_ids - seen):
    problems.append(f"package {missing} was not packed")
if problems:
    print("\n".join("check-packages: " + p for p in problems))
    sys.exit(1)
print(f"check-packages: {len(seen)} packages OK")
EOF
