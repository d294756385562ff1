#!/usr/bin/env python3
"""Reports import cycles between the modules of a Rust crate (stdlib only).

Usage: python3 scripts/module_cycles.py [--strict] [SRC_DIR]   (default: server/src)
       python3 scripts/module_cycles.py --self-test   (checks the checker on a small crate)

The module tree is read from `lib.rs` by following `mod x;` declarations (`#[path]` included;
inline `mod x { … }` blocks are modules too). Every reference to a module of the crate counts:
`use` trees (braces, `self`, renames), and paths in code that start with `crate::`, `super::`,
`self::` or a child module's name. A path resolves to the deepest module it names; a name that a
module imports or re-exports (`pub use jobs::Job`) resolves to where it comes from.

For every module, the references between its direct children (each child standing for itself and
all its descendants) form a graph; every strongly connected component of more than one child is a
cycle, printed with one example reference (file:line) per edge. The exit code is 1 if a cycle is
found that the allow-list does not name: at the crate root, the HTTP handlers (`routes`,
`webhooks`) and `state` may depend on each other (handlers take `AppState`, and `AppState` holds
their shared parts), as long as no cycle remains once `state` is taken away. Edges listed in
`KNOWN` (cycles found and not yet moved, each with the move that ends it) are reported as known
and do not fail the check unless `--strict` is given.
"""

import os
import re
import sys

# At the crate root, a component made only of these is allowed if it has no cycle without `state`.
ALLOWED_WITH_STATE = {"routes", "webhooks"}

# Known edges that close a cycle nobody has moved yet: (parent module, from child, to child):
# why. They are reported, never hidden, and do not fail the check (`--strict` makes them fail).
# Remove an entry when its edge is gone; a new cycle elsewhere still fails.
# Cycles found and not yet moved, each with the move that ends it: none. Add one only with that move
# named, and take it out in the change that makes it.
KNOWN: dict = {}

TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<linecomment>//[^\n]*)
  | (?P<blockcomment>/\*)
  | (?P<rawstr>b?r(?P<hashes>\#*)")
  | (?P<str>b?"(?:[^"\\]|\\.)*")
  | (?P<char>b?'(?:[^'\\\n]|\\(?:u\{[0-9a-fA-F_]*\}|x[0-9a-fA-F]{2}|.))')
  | (?P<lifetime>'[A-Za-z_][A-Za-z0-9_]*)
  | (?P<ident>r\#[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>[0-9][0-9A-Za-z_]*)
  | (?P<path>::)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokenize(text):
    """Returns [(kind, text, line)] without comments, strings and whitespace."""
    out = []
    pos, line, n = 0, 1, len(text)
    while pos < n:
        m = TOKEN.match(text, pos)
        kind = m.lastgroup if m.lastgroup != "hashes" else "rawstr"
        if m.group("rawstr") is not None:
            kind = "rawstr"
        end = m.end()
        if kind == "blockcomment":
            depth, i = 1, end
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            end = i
        elif kind == "rawstr":
            close = '"' + m.group("hashes")
            i = text.find(close, end)
            end = n if i < 0 else i + len(close)
        if kind in ("ident", "path", "punct"):
            out.append((kind, m.group(0), line))
        line += text.count("\n", pos, end)
        pos = end
    return out


class File:
    def __init__(self, path, module):
        self.path = path
        self.module = module  # tuple of names
        with open(path, encoding="utf-8") as f:
            self.tokens = tokenize(f.read())


# Modules compiled only for tests (`#[cfg(test)] mod x`): their references are not the design's.
TEST_MODULES = set()


def cfg_test(tokens, i):
    """Whether the `mod` at tokens[i] carries `#[cfg(test)]` (visibility and other attributes
    in between are skipped)."""
    j = i - 1
    while j >= 0 and tokens[j][1] in ("pub", "crate", "super", "self", "in", "(", ")", "::"):
        j -= 1
    while j >= 0 and tokens[j][1] == "]":
        depth, k = 0, j
        while k >= 0:
            depth += {"]": 1, "[": -1}.get(tokens[k][1], 0)
            if depth == 0:
                break
            k -= 1
        inner = [t[1] for t in tokens[k + 1 : j]]
        if inner == ["cfg", "(", "test", ")"]:
            return True
        j = k - 2  # skip `[` and `#`
    return False


def scopes(tokens, base):
    """Yields (index, module) for every token, following inline `mod x { … }` blocks."""
    stack = []  # (module, depth at which its block closes)
    depth = 0
    current = base
    pending = None
    for i, (kind, text, _) in enumerate(tokens):
        if text == "{":
            depth += 1
            if pending is not None:
                stack.append((current, depth - 1))
                current = pending
                pending = None
        elif text == "}":
            depth -= 1
            if stack and stack[-1][1] == depth:
                current = stack.pop()[0]
        elif (
            text == "mod"
            and i + 2 < len(tokens)
            and tokens[i + 1][0] == "ident"
            and tokens[i + 2][1] == "{"
        ):
            pending = current + (tokens[i + 1][1],)
            if cfg_test(tokens, i):
                TEST_MODULES.add(pending)
        yield i, current


def module_declarations(f):
    """The modules a file declares with `mod x;` (their `#[path]` is read by `load_crate`)."""
    decls = []
    toks = f.tokens
    for i, module in scopes(toks, f.module):
        if (
            toks[i][1] == "mod"
            and i + 2 < len(toks)
            and toks[i + 1][0] == "ident"
            and toks[i + 2][1] == ";"
        ):
            decls.append(module + (toks[i + 1][1],))
            if cfg_test(toks, i):
                TEST_MODULES.add(decls[-1])
    return decls


PATH_ATTR = re.compile(r'#\[path\s*=\s*"([^"]+)"\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;')


def load_crate(src):
    root = os.path.join(src, "lib.rs")
    if not os.path.exists(root):
        root = os.path.join(src, "main.rs")
    files = {}
    todo = [(root, ())]
    while todo:
        path, module = todo.pop()
        if path in files or not os.path.exists(path):
            continue
        f = File(path, module)
        files[path] = f
        with open(path, encoding="utf-8") as fh:
            attrs = {name: p for p, name in PATH_ATTR.findall(fh.read())}
        here = os.path.dirname(path)
        stem = os.path.splitext(os.path.basename(path))[0]
        child_dir = here if stem in ("lib", "main", "mod") else os.path.join(here, stem)
        for child in module_declarations(f):
            name = child[-1]
            if name in attrs:
                candidates = [os.path.join(here, attrs[name])]
            else:
                # a `mod` inside an inline block lives in a folder named after the block
                inner = os.path.join(child_dir, *child[len(module):-1])
                candidates = [
                    os.path.join(inner, name + ".rs"),
                    os.path.join(inner, name, "mod.rs"),
                ]
            for c in candidates:
                if os.path.exists(c):
                    todo.append((os.path.normpath(c), child))
                    break
    return files


def parse_use_tree(toks, i, prefix, out, line):
    """Parses a use tree at toks[i]; appends (segments, alias, line). Returns the next index."""
    segs = list(prefix)
    if i < len(toks) and toks[i][1] == "::":
        i += 1
    while i < len(toks):
        text = toks[i][1]
        if text == "{":
            i += 1
            while i < len(toks) and toks[i][1] != "}":
                i = parse_use_tree(toks, i, segs, out, toks[i][2])
                if i < len(toks) and toks[i][1] == ",":
                    i += 1
            return i + 1
        if text == "*":
            return i + 1
        if toks[i][0] == "ident":
            name = text[2:] if text.startswith("r#") else text
            if name == "self" and segs and segs == list(prefix) and prefix:
                alias = segs[-1]
            else:
                segs.append(name)
                alias = name
            i += 1
            if i < len(toks) and toks[i][1] == "::":
                i += 1
                continue
            if i < len(toks) and toks[i][1] == "as":
                alias = toks[i + 1][1]
                i += 2
            out.append((segs, alias, line))
            return i
        return i + 1
    return i


def collect_uses(f):
    """[(scope module, segments, alias, line, token index)] of every `use` in a file."""
    uses = []
    toks = f.tokens
    scope_of = dict(scopes(toks, f.module))
    for i, (kind, text, line) in enumerate(toks):
        if text != "use" or kind != "ident":
            continue
        trees = []
        parse_use_tree(toks, i + 1, [], trees, line)
        for segs, alias, tline in trees:
            uses.append((scope_of[i], segs, alias, tline, i))
    return uses


class Crate:
    def __init__(self, src):
        self.files = load_crate(src)
        self.modules = {()}
        for f in self.files.values():
            for _, module in scopes(f.tokens, f.module):
                self.modules.add(module)
            self.modules.add(f.module)
        self.imports = {}  # module -> {alias: (module of the use, segments)}
        self.uses = {}
        for path, f in self.files.items():
            self.uses[path] = collect_uses(f)
            for scope, segs, alias, _, _ in self.uses[path]:
                self.imports.setdefault(scope, {})[alias] = (scope, segs)

    def resolve(self, scope, segs, depth=0):
        """The deepest module of the crate a path names, or None (outside the crate)."""
        if not segs or depth > 8:
            return None
        first, rest = segs[0], segs[1:]
        if first == "crate":
            cur = ()
        elif first == "super":
            cur, rest = scope, segs
            while rest and rest[0] == "super":
                if not cur:
                    return None
                cur, rest = cur[:-1], rest[1:]
        elif first == "self":
            cur = scope
        elif scope + (first,) in self.modules:
            cur, rest = scope, segs
        elif first in self.imports.get(scope, {}):
            where, target = self.imports[scope][first]
            return self.resolve(where, target + rest, depth + 1)
        else:
            return None
        for seg in rest:
            if cur + (seg,) in self.modules:
                cur = cur + (seg,)
                continue
            imported = self.imports.get(cur, {}).get(seg)
            if imported is not None:
                found = self.resolve(imported[0], imported[1], depth + 1)
                if found is not None:
                    return found
            break
        return cur

    def references(self):
        """[(from module, to module, file, line)] of every reference inside the crate."""
        refs = []
        for path, f in self.files.items():
            toks = f.tokens
            in_use = set()
            for scope, segs, _, line, start in self.uses[path]:
                target = self.resolve(scope, segs)
                if target is not None:
                    refs.append((scope, target, path, line))
            # token ranges of `use` statements are skipped below
            i = 0
            while i < len(toks):
                if toks[i][1] == "use" and toks[i][0] == "ident":
                    j = i
                    depth = 0
                    while j < len(toks) and not (toks[j][1] == ";" and depth == 0):
                        depth += {"{": 1, "}": -1}.get(toks[j][1], 0)
                        j += 1
                    in_use.update(range(i, j + 1))
                    i = j
                i += 1
            for i, scope in scopes(toks, f.module):
                if i in in_use or toks[i][0] != "ident":
                    continue
                if i > 0 and toks[i - 1][1] == "::":
                    continue
                segs = [toks[i][1]]
                j = i + 1
                while j + 1 < len(toks) and toks[j][1] == "::" and toks[j + 1][0] == "ident":
                    segs.append(toks[j + 1][1])
                    j += 2
                if len(segs) < 2:
                    continue
                first = segs[0]
                if first in ("crate", "super", "self") or scope + (first,) in self.modules:
                    target = self.resolve(scope, segs)
                    if target is not None:
                        refs.append((scope, target, path, toks[i][2]))
        return refs


def sccs(nodes, edges):
    """Tarjan's strongly connected components."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def shortest_cycles(comp, edges):
    """The shortest cycle through each member of a component, each printed once."""
    seen, out = set(), []
    for start in comp:
        prev, queue = {start: None}, [start]
        found = None
        while queue and found is None:
            nxt = []
            for v in queue:
                for w in sorted(edges.get(v, ())):
                    if w == start:
                        found = v
                        break
                    if w in comp and w not in prev:
                        prev[w] = v
                        nxt.append(w)
                if found is not None:
                    break
            queue = nxt
        path, v = [], found
        while v is not None:
            path.append(v)
            v = prev[v]
        path.reverse()
        i = path.index(min(path))
        key = tuple(path[i:] + path[:i])
        if key not in seen:
            seen.add(key)
            out.append(list(key))
    return out


def name(module):
    return "crate" if not module else "::".join(module)


KNOWN_BY_NAME = {
    ("crate" if not parent else parent.replace("/", "::"), a, b): why
    for (parent, a, b), why in KNOWN.items()
}


def report(label, parent, comp, edges, examples):
    members = ", ".join(name(parent + (c,)) for c in comp)
    print(f"{label} in {name(parent)}: {members}")
    for a in comp:
        for b in comp:
            if b in edges.get(a, ()):
                path, line = examples[(a, b)]
                print(f"  {a} -> {b}: {os.path.relpath(path)}:{line}")
    if len(comp) > 2:
        print("  shortest cycles:")
        for cycle in shortest_cycles(comp, edges):
            print("    " + " -> ".join(cycle + [cycle[0]]))


SELF_TEST = {
    "lib.rs": "pub mod a;\npub mod b;\npub mod c;\npub mod state;\npub mod routes;\n"
    "#[cfg(test)]\nmod t;\n",
    # a -> b through a use tree with braces; the comment, the string and the test module name c,
    # and do not count (c -> a would close a cycle)
    "a.rs": "use crate::{b::{X as Y}, state};\n// crate::c::nothing\nconst S: &str = \"crate::c\";\n"
    "#[cfg(test)]\nmod tests {\n    use crate::c::Z;\n}\n",
    # b -> a in an expression
    "b.rs": "pub struct X;\nfn f() { crate::a::g(); }\n",
    # c::d -> c::e through the parent's re-export; c::e -> c::d through `super::`
    "c/mod.rs": "mod d;\nmod e;\npub use e::Z;\nfn h() { crate::a::g() }\n",
    "c/d.rs": "use super::Z;\npub struct W;\n",
    "c/e.rs": "pub struct Z;\nfn g() -> super::d::W { todo() }\n",
    # handlers <-> state is allowed
    "state.rs": "use crate::routes::Part;\n",
    "routes.rs": "pub struct Part;\nuse crate::state;\n",
    # a test module's references are not the design's
    "t.rs": "use crate::c::Z;\nuse crate::b::X;\n",
}
SELF_TEST_EXPECT = [
    "CYCLE in crate: a, b",
    "  a -> b: ",
    "  b -> a: ",
    "CYCLE in c: c::d, c::e",
    "allowed (handlers <-> state) in crate: routes, state",
]


def self_test():
    """Runs the check on a small crate written to a temporary folder."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        for path, text in SELF_TEST.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                f.write(text)
        run = subprocess.run(
            [sys.executable, __file__, root], capture_output=True, text=True, check=False
        )
    lines = run.stdout.splitlines()
    missing = [
        e for e in SELF_TEST_EXPECT if not any(l == e or (e.endswith(" ") and l.startswith(e)) for l in lines)
    ]
    unexpected = [l for l in lines if l.startswith("CYCLE") and "a, b" not in l and "c::d" not in l]
    if run.returncode != 1 or missing or unexpected:
        print(run.stdout + run.stderr)
        print(f"self-test FAILED: exit {run.returncode}, missing {missing}, unexpected {unexpected}")
        return 1
    print("self-test passed")
    return 0


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    strict = "--strict" in sys.argv[1:]
    if "--self-test" in sys.argv[1:]:
        return self_test()
    src = args[0] if args else "server/src"
    crate = Crate(src)
    refs = crate.references()
    parents = sorted({m[:-1] for m in crate.modules if m})
    failed = False
    found = 0
    for parent in parents:
        n = len(parent)
        examples = {}  # (child, child) -> (file, line)
        for src_mod, dst_mod, path, line in refs:
            if any(src_mod[: len(t)] == t for t in TEST_MODULES):
                continue
            if len(src_mod) <= n or len(dst_mod) <= n:
                continue
            if src_mod[:n] != parent or dst_mod[:n] != parent:
                continue
            a, b = src_mod[n], dst_mod[n]
            if a != b:
                key = (a, b)
                if key not in examples or (path, line) < examples[key]:
                    examples[key] = (path, line)
        edges, kept = {}, {}
        for a, b in examples:
            edges.setdefault(a, set()).add(b)
            if strict or (name(parent), a, b) not in KNOWN_BY_NAME:
                kept.setdefault(a, set()).add(b)
        nodes = {a for a, _ in examples} | {b for _, b in examples}
        for comp in sccs(nodes, kept):
            if len(comp) < 2:
                continue
            found += 1
            allowed = False
            if not parent and "state" in comp and set(comp) <= ALLOWED_WITH_STATE | {"state"}:
                rest = [c for c in comp if c != "state"]
                sub = {a: {b for b in kept.get(a, ()) if b in rest} for a in rest}
                allowed = all(len(c) < 2 for c in sccs(set(rest), sub))
            failed |= not allowed
            label = "allowed (handlers <-> state)" if allowed else "CYCLE"
            report(label, parent, comp, kept, examples)
        for comp in sccs(nodes, edges):
            waived = [
                (a, b)
                for a in comp
                for b in comp
                if b in edges.get(a, ()) and b not in kept.get(a, ())
            ]
            if len(comp) > 1 and waived:
                members = ", ".join(name(parent + (c,)) for c in comp)
                print(f"known in {name(parent)} (edges waived in KNOWN close it): {members}")
                for a, b in waived:
                    path, line = examples[(a, b)]
                    why = KNOWN_BY_NAME[(name(parent), a, b)]
                    print(f"  {a} -> {b}: {os.path.relpath(path)}:{line}: {why}")
    if failed:
        print("module cycles found (see above): move the code that causes one edge", file=sys.stderr)
        return 1
    print(f"no module cycles ({found} allowed) in {len(crate.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
