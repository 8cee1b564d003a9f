#!/usr/bin/python3
"""The demo's closing report (scripts/demo), from what the portal stored (`device list` JSON):
a summary line, the fleet table richest rows first (identity-only printers left out unless --all), and
one printer's full reading: its status, every counter with its name, every supply.

Identity only: nothing but vendor, model and serial was read (no status, no counter, no supply). The
simulator's map (ip -> recording) and the 'holds' column of samples/walks/LICENSES.md say whether the
recording itself holds no more; a printer read as identity only from a recording with printer data, or
the other way round, is printed as a 'warning:' line (scripts/check-demo fails on it).

usage: demo_table.py DEVICES.json MAP.tsv LICENSES.md [--all]"""
import json
import re
import sys

DEVICE_STATUS = {1: 'unknown', 2: 'running', 3: 'warning', 4: 'testing', 5: 'down'}      # hrDeviceStatus
PRINTER_STATUS = {1: 'other', 2: 'unknown', 3: 'idle', 4: 'printing', 5: 'warmup'}      # hrPrinterStatus
TONER = ('toner', 'tonercartridge', 'ink', 'inkcartridge')


def has_status(d):
    return d.get('hrDeviceStatus') is not None or d.get('hrPrinterStatus') is not None or bool(d.get('errors'))


def identity_only(d):
    return not d['counters'] and not d['supplies'] and not has_status(d)


def richness(d):
    """Richest first: the most counters and supplies read, then a status and a serial."""
    return (len(d['counters']) + len(d['supplies']), (1 if has_status(d) else 0) + (1 if d.get('serial') else 0))


def address_key(d):
    return tuple(int(p) for p in d['ip'].split('.'))


def status_text(d):
    if d.get('errors'):
        return d['errors']
    if d.get('hrPrinterStatus') is not None:
        return PRINTER_STATUS.get(d['hrPrinterStatus'], str(d['hrPrinterStatus']))
    if d.get('hrDeviceStatus') is not None:
        return DEVICE_STATUS.get(d['hrDeviceStatus'], str(d['hrDeviceStatus']))
    return '?'


def read_text(d):
    if identity_only(d):
        return 'identity only'
    return '%d counter%s, %d suppl%s' % (len(d['counters']), '' if len(d['counters']) == 1 else 's',
                                         len(d['supplies']), 'y' if len(d['supplies']) == 1 else 'ies')


def lowest_toner(d):
    toner = [s['percent'] for s in d['supplies'] if s.get('percent') is not None and (s.get('type') or '').lower() in TONER]
    return ('%d %%' % min(toner)) if toner else '?'


def total_pages(d):
    total = next((c['value'] for c in d['counters'] if c['name'] == 'total'), None)
    return str(total) if total is not None else '?'


def recordings(map_path):
    by_ip = {}
    with open(map_path) as f:
        next(f)
        for line in f:
            cells = line.rstrip('\n').split('\t')
            if len(cells) >= 3:
                by_ip[cells[0]] = cells[2].rsplit('/', 1)[-1]
    return by_ip


def holds(licences_path):
    marked = {}
    with open(licences_path) as f:
        for line in f:
            m = re.match(r'^\| `([^`]+\.snmprec)` \|[^|]*\|[^|]*\|([^|]*)\|$', line.rstrip('\n'))
            if m:
                marked[m.group(1)] = m.group(2).strip()
    return marked


def full_reading(d, recording):
    print('\n== One printer in full: what the portal stored for %s %s at %s (recording %s)' % (
        d.get('vendor') or '?', d.get('model') or '?', d['ip'], recording or '?'))
    print('identity  vendor %s, model %s, serial %s, MAC %s' % (
        d.get('vendor') or '?', d.get('model') or '?', d.get('serial') or '?', d.get('mac') or '?'))
    device = d.get('hrDeviceStatus')
    printer = d.get('hrPrinterStatus')
    print('status    device %s, printer %s, alerts %s' % (
        '%s (hrDeviceStatus %d)' % (DEVICE_STATUS.get(device, '?'), device) if device is not None else '? (not reported)',
        '%s (hrPrinterStatus %d)' % (PRINTER_STATUS.get(printer, '?'), printer) if printer is not None else '? (not reported)',
        d.get('errors') or 'none'))
    print('counters  %d, read %s' % (len(d['counters']), d.get('metersAt') or '?'))
    for c in d['counters']:
        print('  %-16s %12d  %s' % (c['name'], c['value'], c['oid']))
    print('supplies  %d, read %s' % (len(d['supplies']), d.get('suppliesAt') or '?'))
    for s in d['supplies']:
        if s.get('percent') is not None:
            level = '%3d %%' % s['percent']
            detail = '(%s of %s%s)' % (s.get('level'), s.get('max'), ' ' + s['unit'] if s.get('unit') else '')
        else:
            level = '    ?'
            # Printer-MIB's own codes: max -2 unknown, level -3 "some remaining", -2 unknown.
            detail = '(%s; raw level %s, max %s)' % (s.get('state') or 'level unknown', s.get('level'), s.get('max'))
        print('  %-28s %-14s %-9s %s  %s' % ((s.get('description') or '?')[:28], s.get('type') or '?', s.get('colour') or '-', level, detail))


def main(argv):
    show_all = '--all' in argv
    args = [a for a in argv if a != '--all']
    devices = json.load(open(args[0]))
    by_ip = recordings(args[1])
    marked = holds(args[2])

    identity = [d for d in devices if identity_only(d)]
    print('%d printers stored: %d with a serial, %d with page counters, %d with supply levels, %d with a status; %d with identity only' % (
        len(devices), sum(1 for d in devices if d.get('serial')), sum(1 for d in devices if d['counters']),
        sum(1 for d in devices if d['supplies']), sum(1 for d in devices if has_status(d)), len(identity)))
    for d in devices:
        recording = by_ip.get(d['ip'])
        mark = marked.get(recording)
        if identity_only(d) and mark != 'identity only':
            print('warning: %s (%s) was read as identity only, but its recording holds %s' % (d['ip'], recording, mark or 'an unknown content'))
        elif not identity_only(d) and mark == 'identity only':
            print('warning: %s (%s) gave more than identity, but LICENSES.md marks its recording identity only' % (d['ip'], recording))

    rows = sorted((d for d in devices if show_all or not identity_only(d)), key=lambda d: (identity_only(d), tuple(-r for r in richness(d)), address_key(d)))
    print()
    print('%-14s %-16s %-30s %-20s %11s  %-12s %-12s %s' % ('ip', 'vendor', 'model', 'serial', 'total pages', 'lowest toner', 'status', 'read'))
    for d in rows:
        print(('%-14s %-16s %-30s %-20s %11s  %-12s %-12s %s' % (
            d['ip'], (d.get('vendor') or '?')[:16], (d.get('model') or '?')[:30], (d.get('serial') or '?')[:20],
            total_pages(d), lowest_toner(d), status_text(d)[:12], read_text(d))).rstrip())
    if identity and not show_all:
        print('... and %d printers with identity only (vendor and model, at most a serial): their recordings hold nothing more,\n'
              '    no status, counter or supply ("identity only" in samples/walks/LICENSES.md). scripts/demo --all lists them too.' % len(identity))

    if devices:
        richest = min(devices, key=lambda d: (-len(d['counters']), -len(d['supplies']), address_key(d)))
        full_reading(richest, by_ip.get(richest['ip']))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
