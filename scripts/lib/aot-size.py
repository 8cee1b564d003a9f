#!/usr/bin/env python3
"""Where the bytes of a Native AOT binary go, from ILC's map file (IlcGenerateMapFile=true).

Usage: aot-size.py MAP.xml ILC.rsp BINARY [--top N]
Every node of the map (method code, GC info, type structures, statics, ...) is charged to the assembly
its mangled name starts with; a generic instantiation over a type of a non-framework assembly (e.g.
AsyncStateMachineBox<Kestrel's state machine>) is charged to that assembly, since it exists because of it.
The one-per-image tables (reflection metadata, resource strings, stack-trace map, ...) are listed on their
own. What the map does not cover (the native runtime, System.Native & co., ELF headers) is the rest.
"""
import re
import sys
from collections import defaultdict

def main():
    args = sys.argv[1:]
    top = 25
    if "--top" in args:
        i = args.index("--top")
        top = int(args[i + 1])
        del args[i:i + 2]
    map_path, rsp_path, binary = args
    assemblies = set()
    for line in open(rsp_path):
        line = line.strip()
        path = line[3:] if line.startswith("-r:") else line if line.endswith(".dll") else None
        if path:
            assemblies.add(path.rsplit("/", 1)[-1][:-4])
    prefixes = {}
    for name in assemblies:
        mangled = name.replace(".", "_").replace("-", "_")
        if mangled.startswith("System_Private_"):
            mangled = "S_P_" + mangled[len("System_Private_"):]
        prefixes[mangled] = name
    ordered = sorted(prefixes, key=len, reverse=True)
    framework = lambda a: a.startswith(("System", "Microsoft.Extensions", "Microsoft.AspNetCore", "Microsoft.Win32", "netstandard", "mscorlib"))

    def owner(name):
        # strip Itanium-style wrappers (_ZTV96..., _ZN..) and leading punctuation
        name = re.sub(r"^_Z[A-Z]+\d*", "", name).lstrip("_")
        outer = next((prefixes[p] for p in ordered if name.startswith(p + "_")), None)
        if outer is None or framework(outer):
            for arg in re.findall(r"<([^>]*)>", name.replace("&lt;", "<").replace("&gt;", ">")):
                for part in re.split(r"__|,", arg):
                    inner = next((prefixes[p] for p in ordered if part.lstrip("_").startswith(p + "_")), None)
                    if inner and not framework(inner):
                        return inner
        return outer

    node = re.compile(r'<(\w+) Name="([^"]*)" Length="(\d+)"')
    per_assembly = defaultdict(int)
    tables = defaultdict(int)
    total = 0
    for line in open(map_path, encoding="utf-8"):
        m = node.search(line)
        if not m:
            continue
        kind, name, length = m.group(1), m.group(2), int(m.group(3))
        total += length
        who = owner(name)
        if who is None:
            tables[kind if kind not in ("Blob", "WritableData") else kind] += length
        else:
            per_assembly[who] += length
    import os
    size = os.path.getsize(binary)
    kib = lambda n: f"{n / 1024:,.0f}"
    print(f"binary {binary}: {kib(size)} KiB; in the map: {kib(total)} KiB; native runtime, libraries, headers (not in the map): {kib(size - total)} KiB")
    print()
    print("| assembly | KiB |")
    print("|---|---:|")
    rows = sorted(per_assembly.items(), key=lambda kv: -kv[1])
    for name, n in rows[:top]:
        print(f"| {name} | {kib(n)} |")
    rest = sum(n for _, n in rows[top:])
    print(f"| {len(rows) - top} other assemblies | {kib(rest)} |")
    print()
    print("| image-wide table | KiB |")
    print("|---|---:|")
    for name, n in sorted(tables.items(), key=lambda kv: -kv[1])[:12]:
        print(f"| {name} | {kib(n)} |")

main()
