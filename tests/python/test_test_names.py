"""Catch2 test names reach ctest through catch_discover_tests, which splits a name at ';' into
entries that match no test and then "pass" without running anything. No test name may hold one."""
import pathlib
import re

TESTS = pathlib.Path(__file__).resolve().parents[1]


def test_no_catch2_test_name_contains_a_semicolon():
    bad = []
    for path in sorted(TESTS.glob("*.cpp")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = re.search(r'TEST_CASE\("([^"]*)"', line)
            if m and ";" in m.group(1):
                bad.append(f"{path.name}:{number}: {m.group(1)}")
    assert not bad, "test names with ';' never run under ctest:\n" + "\n".join(bad)
