#!/usr/bin/python3
"""Adds up the TRX files of one test run and prints 'N passed, N failed, N skipped', plus the
names of failed and skipped tests (with the reason a skipped test gave). A failed test's message
and the last lines of its output come last, so that the tail of a CI log says why it failed.
Exit 1 if anything failed or if no test ran at all."""
import glob, os, sys
import xml.etree.ElementTree as ET

NS = '{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}'
root = sys.argv[1] if len(sys.argv) > 1 else 'artifacts/test-results'
passed = failed = skipped = 0
failures, skips, details = [], [], []


def text(result, path):
    node = result.find(path)
    return (node.text or '') if node is not None else ''


def last_lines(value, count):
    lines = value.rstrip().splitlines()
    return '\n'.join(('    ' + line)[:400] for line in lines[-count:])


for trx in sorted(glob.glob(os.path.join(root, '**', '*.trx'), recursive=True)):
    for r in ET.parse(trx).getroot().iter(NS + 'UnitTestResult'):
        outcome, name = r.get('outcome'), r.get('testName')
        if outcome == 'Passed':
            passed += 1
        elif outcome in ('Failed', 'Error', 'Timeout', 'Aborted'):
            failed += 1; failures.append(name)
            message = text(r, f'{NS}Output/{NS}ErrorInfo/{NS}Message')
            stack = text(r, f'{NS}Output/{NS}ErrorInfo/{NS}StackTrace')
            output = text(r, f'{NS}Output/{NS}StdOut')
            details.append(f'--- {name}\n  output (last lines):\n{last_lines(output, 25)}\n  stack (last lines):\n'
                           f'{last_lines(stack, 6)}\n  message:\n{last_lines(message, 15)}')
        else:
            skipped += 1
            reason = text(r, f'{NS}Output/{NS}ErrorInfo/{NS}Message')
            skips.append(f'{name}: {reason}'.strip())

for d in details: print(d)
for f in failures: print(f'FAILED  {f}')
for s in skips: print(f'SKIPPED {s}')
print(f'{passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed or passed == 0 else 0)
