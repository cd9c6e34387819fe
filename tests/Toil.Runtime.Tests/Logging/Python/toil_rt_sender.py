# Sends records the way Toil's worker does: a "toil-rt" logger with a JSONDatagramHandler
# (logging.handlers.DatagramHandler whose makePickle is bare JSON of the record's attributes).
import json
import logging
import logging.handlers
import sys


class JSONDatagramHandler(logging.handlers.DatagramHandler):
    def makePickle(self, record):
        return json.dumps(record.__dict__).encode("utf-8")


host, port, level = sys.argv[1], int(sys.argv[2]), sys.argv[3]
log = logging.getLogger("toil-rt")
log.setLevel(level.upper())
log.propagate = False
log.addHandler(JSONDatagramHandler(host, port))
log.info("interop %s %d", "x", 3)
log.debug("hidden debug")
log.warning("mapping %(k)s", {"k": "v"})
log.error("unicode: naïve ✓")
log.info("%s and %r and %5.2f and %x%%", [1, "a", None], "q", 3.14159, 255)
log.critical("end")
