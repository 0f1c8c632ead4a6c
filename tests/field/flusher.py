"""A stand-alone sync process for the kill tests: empties an outbox, batch after batch.

    python tests/field/flusher.py DATA_DIR SERVER TOKEN [BATCH]
"""

import sys
import time

from koll.field.outbox import Outbox
from koll.field.sync import ApiClient, Syncer


def main() -> int:
    data_dir, server, token = sys.argv[1:4]
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 250
    outbox = Outbox(data_dir)
    syncer = Syncer(outbox, ApiClient(server, token), batch_size=batch)
    while outbox.pending():
        res = syncer.flush_once()
        print(f"sent={res.sent} failed={res.failed} offline={res.offline} counts={outbox.counts()}", flush=True)
        if res.offline or res.error:
            time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
