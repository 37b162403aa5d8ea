"""For scripts/bench-split: time from `mirrord exec` start to `Ready!` for the first session of a
split (it starts the splitter in-process) and for a second one that starts while the first runs
(it registers with the running splitter), on the test cluster with the guide's sample app; the
median of 3 rounds. Each round ends both sessions and waits until nothing is left behind.

    python3 ready_bench.py <path to mirrord>

Prints one JSON line on stdout; unittest's own report goes to stderr.
"""

import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import split_env  # noqa: E402
from split_env import Session, SplitTest  # noqa: E402

ROUNDS = 3


class Ready(SplitTest):
    def test_ready_times(self):
        first, second = [], []
        for _ in range(ROUNDS):
            leader = Session(self, "^test-a")
            first.append(leader.wait_ready())
            self.note_splitter()
            joining = Session(self, "^test-b")
            second.append(joining.wait_ready())
            ids = [leader.session_id(), joining.session_id()]
            # Stopped right after Ready!, the sample consumer may not handle SIGTERM yet (exit
            # status 143): only what is left behind matters here.
            joining.stop()
            leader.stop()
            self.assert_nothing_left(ids, timeout=60)
        print(json.dumps({"mode": "ready", "rounds": ROUNDS,
                          "first_s": statistics.median(first),
                          "second_s": statistics.median(second),
                          "first_all": [round(s, 2) for s in first],
                          "second_all": [round(s, 2) for s in second]}), flush=True)


if __name__ == "__main__":
    split_env.main()
