# Handles datagrams as Toil's leader does (LoggingDatagramHandler.handle): read at most 8192 bytes, decode UTF-8,
# json.loads, logging.makeLogRecord, list args -> tuple, then logger.handle() into a handler with Toil's root format.
# Input: one hex-encoded datagram per line on stdin. Output: one JSON line per datagram.
import json
import logging
import sys

TOIL_FORMAT = "[%(asctime)s] [%(threadName)-10s] [%(levelname).1s] [%(name)s] %(message)s"


class Capture(logging.Handler):
    def emit(self, record):
        print(json.dumps({
            "name": record.name,
            "levelno": record.levelno,
            "message": logging.Formatter("%(message)s").format(record),
            "line": logging.Formatter(TOIL_FORMAT, "%Y-%m-%dT%H:%M:%S%z").format(record),
        }), flush=True)

    def handleError(self, record):
        print(json.dumps({"error": "handler failed"}), flush=True)


logging.addLevelName(5, "TRACE")
logger = logging.getLogger("toil.realtimeLogger")
logger.addHandler(Capture())
logger.propagate = False
for line in sys.stdin:
    data = bytes.fromhex(line.strip())[:8192]
    try:
        record = logging.makeLogRecord(json.loads(data.decode("utf-8")))
        if isinstance(record.args, list):
            record.args = tuple(record.args)
    except Exception as e:
        print(json.dumps({"malformed": str(e)}), flush=True)
        continue
    logger.handle(record)
