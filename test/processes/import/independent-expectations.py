# Computes the expected numbers of the import tests independently of throughline, with
# Python's standard library only (xml.etree, csv, json, sqlite3, datetime.fromisoformat).
# Run: python3 test/processes/import/independent-expectations.py
# Events of a case are ordered by timestamp with a stable sort (file order breaks ties);
# the first/last event of that order are the start/end activities, consecutive pairs the
# directly-follows edges, last - first the case duration (median: mean of the middle two).
import csv, gzip, collections, statistics, sys
import xml.etree.ElementTree as ET
from datetime import datetime
import os
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../../shared/data/eventlogs/')
def xes_cases(path):
    f = gzip.open(path) if path.endswith('.gz') else open(path,'rb')
    cases=[]
    for ev, el in ET.iterparse(f, events=('end',)):
        tag=el.tag.split('}')[-1]
        if tag=='trace':
            cid=None; evs=[]
            for ch in el:
                t=ch.tag.split('}')[-1]
                if t!='event' and ch.get('key')=='concept:name': cid=ch.get('value')
                if t=='event':
                    a={c.get('key'):c.get('value') for c in ch}
                    evs.append((datetime.fromisoformat(a['time:timestamp']), a['concept:name'], a.get('lifecycle:transition')))
            cases.append((cid,evs)); el.clear()
    return cases
def csv_cases(path, case, act, ts):
    by=collections.OrderedDict()
    for r in csv.DictReader(open(path)):
        by.setdefault(r[case],[]).append((datetime.fromisoformat(r[ts]), r[act], r.get('lifecycle:transition')))
    return list(by.items())
def stats(name, cases, edges):
    evs=[e for _,es in cases for e in es]
    starts=collections.Counter(); ends=collections.Counter(); df=collections.Counter(); durs=[]
    for cid,es in cases:
        s=sorted(es, key=lambda e:e[0])  # stable: file order breaks ties
        starts[s[0][1]]+=1; ends[s[-1][1]]+=1
        for a,b in zip(s,s[1:]): df[(a[1],b[1])]+=1
        durs.append((s[-1][0]-s[0][0]).total_seconds())
    print('==',name)
    print('cases',len(cases),'events',len(evs),'activities',len({e[1] for e in evs}))
    print('lifecycles',collections.Counter(e[2] for e in evs))
    print('starts',dict(starts.most_common()))
    print('ends',dict(ends.most_common(6)), 'distinct ends', len(ends))
    print('df top',df.most_common(5)); print('df asked',{e:df[e] for e in edges})
    print('dur min/median/max s',min(durs),statistics.median(durs),max(durs))
stats('running-example.xes', xes_cases(D+'xes/running-example.xes'), [('register request','examine casually'),('decide','reject request'),('check ticket','examine thoroughly')])
r=csv_cases(D+'csv/receipt.csv','case:concept:name','concept:name','time:timestamp')
stats('receipt.csv', r, [('Confirmation of receipt','T02 Check confirmation of receipt')])
x=xes_cases(D+'xes/08_receipt.xes.gz')
stats('08_receipt.xes.gz', x, [('Confirmation of receipt','T02 Check confirmation of receipt')])

print('== lifecycle counts (event level only)')
for name in ['bpic2012.xes.gz', '03_repairExample.xes.gz']:
    c = collections.Counter(e[2] for _, es in xes_cases(D + 'xes/' + name) for e in es)
    print(name, dict(c))
print('== 11_tickets: identical (case, activity, timestamp) events')
t = xes_cases(D + 'xes/11_tickets.xes.gz')
k = collections.Counter((cid, e[1], e[0]) for cid, es in t for e in es)
print('cases', len(t), 'events', sum(k.values()), 'repeats', {kk: v for kk, v in k.items() if v > 1})
print('== interval_event_log.csv')
rows = list(csv.DictReader(open(D + 'csv/interval_event_log.csv')))
print('rows', len(rows), 'with start', sum(1 for r in rows if r['start_timestamp']), 'with end', sum(1 for r in rows if r['time:timestamp']))
print('first row', rows[0])
print('== receipt.csv: first row per offset')
seen = set()
for i, r in enumerate(csv.DictReader(open(D + 'csv/receipt.csv'))):
    off = r['time:timestamp'][-6:]
    if off not in seen:
        seen.add(off); dt = datetime.fromisoformat(r['time:timestamp'])
        print('line', i + 2, r['case:concept:name'], r['concept:name'], r['time:timestamp'], '->', dt.astimezone(__import__('datetime').timezone.utc).isoformat())
print('== OCEL 2.0 example (JSON via json, XML via ElementTree, SQLite via sqlite3)')
import json, sqlite3
d = json.load(open(D + 'ocel/ocel20_example.jsonocel'))
print('json events', len(d['events']), 'e2o', sum(len(e.get('relationships', [])) for e in d['events']), 'objects', len(d['objects']), 'o2o', sum(len(o.get('relationships', [])) for o in d['objects']), 'activities', len({e['type'] for e in d['events']}))
x = ET.parse(D + 'ocel/ocel20_example.xmlocel').getroot()
print('xml events', len(x.find('events')), 'e2o', sum(len(e.find('objects')) for e in x.find('events')), 'objects', len(x.find('objects')), 'o2o', sum(len(o.find('objects') or []) for o in x.find('objects')))
c = sqlite3.connect(D + 'ocel/ocel20_example.sqlite')
print('sqlite events', c.execute('select count(*) from event').fetchone(), 'e2o', c.execute('select count(*) from event_object').fetchone(), 'objects', c.execute('select count(*) from object').fetchone(), 'o2o', c.execute('select count(*) from object_object').fetchone())
e3 = [e for e in d['events'] if e['id'] == 'e3'][0]; print('json e3', e3)
print('xml e3', [(e.get('time'), [(r.get('object-id'), r.get('qualifier')) for r in e.find('objects')]) for e in x.find('events') if e.get('id') == 'e3'])
print('sqlite e3', c.execute("select * from event_CreatePurchaseOrder where ocel_id='e3'").fetchall())
c = sqlite3.connect(D + 'ocel/ocpa-logistics.sqlite')
print('logistics events', c.execute('select count(*) from event').fetchone(), 'e2o', c.execute('select count(*) from event_object').fetchone(), 'e2o to undeclared objects', c.execute('select count(*) from event_object eo left join object o on o.ocel_id = eo.ocel_object_id where o.ocel_id is null').fetchone())
