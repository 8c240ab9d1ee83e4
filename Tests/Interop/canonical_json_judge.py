"""An independent reading of report-v1's canonical form: Python's json module.

On the report subset (objects, arrays, printable-ASCII strings, integers below 2^53) RFC 8785
is json.dumps with sorted keys and no whitespace. Prints {"same": true} when the file is
exactly that encoding of what it parses to, and the parsed report's line count."""
import json
import sys

raw = open(sys.argv[1], "rb").read()
value = json.loads(raw)
again = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
print(json.dumps({"same": again == raw, "lines": len(value.get("lines", []))}))
