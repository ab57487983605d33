#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that libopenwsk exports exactly what its public headers declare as exported.

Every dynamic symbol of the library must be declared in include/ behind one of the export
markers (NTKERNELAPI, NTSYSAPI, NTHALAPI, NTSYSCALLAPI, OWSK_EXPORT, OWSK_HOST_API).
Declared names the library does not define are listed with --missing (a driver using one fails
at link time, which is what the project wants for an absent DDI), never silently.
Exit status: 0 ok, 1 an undeclared export exists, 2 usage error.
"""
import os
import re
import subprocess
import sys

MARKERS = ("NTKERNELAPI", "NTSYSAPI", "NTHALAPI", "NTSYSCALLAPI", "OWSK_EXPORT", "OWSK_HOST_API",
           "NTSTRSAFEDDI")
NOT_NAMES = {"NTAPI", "WSKAPI", "FASTCALL", "DECLSPEC_NORETURN", "const", "CONST", "volatile",
             "struct", "enum", "union", "extern", "__attribute__", "visibility", "default",
             "noreturn", "__declspec"} | set(MARKERS)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip_comments_and_macros(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    out, cont = [], False
    for line in text.split("\n"):
        # Preprocessor lines (and their continuations) hold no declarations we want.
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            continue
        out.append(line)
    return "\n".join(out)


def declared_names(include_dir):
    names = {}
    for root, _dirs, files in os.walk(include_dir):
        for f in sorted(files):
            if not f.endswith(".h"):
                continue
            path = os.path.join(root, f)
            text = strip_comments_and_macros(open(path, encoding="utf-8").read())
            for m in re.finditer(r"\b(%s)\b" % "|".join(MARKERS), text):
                decl = text[m.end():text.find(";", m.end())]
                if "{" in decl:  # a definition (inline function): not an export
                    continue
                paren = decl.find("(")
                # Skip a leading __attribute__((...)) so its parenthesis is not the call's.
                while paren >= 0 and decl[:paren].rstrip().endswith("__attribute__"):
                    depth, i = 0, paren
                    while i < len(decl):
                        depth += decl[i] == "("
                        depth -= decl[i] == ")"
                        i += 1
                        if depth == 0:
                            break
                    paren = decl.find("(", i)
                head = decl[:paren] if paren >= 0 else decl
                idents = [w for w in IDENT.findall(head) if w not in NOT_NAMES]
                if idents:
                    names[idents[-1]] = os.path.relpath(path, include_dir)
    return names


def exported_symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TDRBVWi":
            syms.add(parts[2].split("@")[0])
    return syms


def main(argv):
    if len(argv) < 3:
        print("usage: check-exports.py LIBOPENWSK.so INCLUDE_DIR [--missing]", file=sys.stderr)
        return 2
    lib, inc = argv[1], argv[2]
    declared = declared_names(inc)
    exported = exported_symbols(lib)
    # Symbols the toolchain adds to every shared object.
    exported -= {"_init", "_fini", "_edata", "_end", "__bss_start"}
    undeclared = sorted(exported - set(declared))
    missing = sorted(set(declared) - exported)
    for name in undeclared:
        print(f"exported but not declared in include/: {name}")
    if "--missing" in argv:
        for name in missing:
            print(f"declared but not implemented: {name} ({declared[name]})")
    print(f"{len(exported)} exports, {len(declared)} declared, {len(undeclared)} undeclared, "
          f"{len(missing)} declared but absent")
    return 1 if undeclared else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
