# Sends one record logged with stack_info=True the way Toil's worker does (a "toil-rt" logger with a
# JSONDatagramHandler: bare JSON of the record's attributes), and prints on stdout, as one JSON line, the datagram
# sent and what Toil's leader shows for it: Python's logging.Formatter("%(message)s") over
# logging.makeLogRecord(json.loads(datagram)) -- the message, then the stack, on new lines.
import json
import logging
import logging.handlers
import sys

sent = []


class JSONDatagramHandler(logging.handlers.DatagramHandler):
    def makePickle(self, record):
        data = json.dumps(record.__dict__).encode("utf-8")
        sent.append(data)
        return data


def sort_files(log):
    log.info("sorting %s", "f1", stack_info=True)


host, port = sys.argv[1], int(sys.argv[2])
log = logging.getLogger("toil-rt")
log.setLevel(logging.INFO)
log.propagate = False
log.addHandler(JSONDatagramHandler(host, port))
sort_files(log)
record = logging.makeLogRecord(json.loads(sent[0].decode("utf-8")))
if isinstance(record.args, list):
    record.args = tuple(record.args)
print(json.dumps({"datagram": sent[0].decode("utf-8"), "message": logging.Formatter("%(message)s").format(record)}))
