# SPDX-License-Identifier: MIT
"""The package's shape: the stub declares what the package exports, and
every public name has a docstring."""

import ast
import os

import ares


def stub_names():
    with open(os.path.join(os.path.dirname(ares.__file__), "__init__.pyi")) as f:
        tree = ast.parse(f.read())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_stub_declares_every_export():
    assert set(ares.__all__) <= stub_names()
    assert stub_names() - {"__version__"} <= set(ares.__all__)


def test_public_names_are_documented():
    assert ares.__doc__
    for name in ares.__all__:
        assert getattr(ares, name).__doc__, name
    for attr in ("run", "run_async", "profile", "stats", "placement", "close", "inputs",
                 "outputs", "device", "profiling"):
        assert getattr(ares.Session, attr).__doc__, attr
