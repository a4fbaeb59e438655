import yaml, subprocess, re, sys
for path in sys.argv[1:]:
    doc = yaml.safe_load(open(path))
    header = open(path).readline()
    out = subprocess.run(["promtool", "test", "rules", path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    blocks = re.split(r"\n    name: ", out)
    changed = 0
    for b in blocks[1:]:
        m = re.match(r"(.*?),\n    alertname: (\w+), time: (\S+), ", b, re.S)
        if not m: continue
        name, alertname, t = m.groups()
        got = b.split("got:[", 1)[1]
        anns = re.findall(r"Labels:\{(.*?)\}\n\s*Annotations:\{(.*?)\}\n", got)
        for test in doc["tests"]:
            if test["name"] != name: continue
            for a in test["alert_rule_test"]:
                if a["alertname"] != alertname or a["eval_time"] != t: continue
                for i, exp in enumerate(a["exp_alerts"]):
                    if i < len(anns) and "exp_annotations" not in exp:
                        kv = dict((k, bytes(v, "utf-8").decode("unicode_escape")) for k, v in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', anns[i][1]))
                        exp["exp_annotations"] = kv; changed += 1
    with open(path, "w") as f:
        f.write(header); yaml.safe_dump(doc, f, sort_keys=False, width=200)
    print(path, "filled", changed)
