"""Started with this folder on PYTHONPATH, every Python process (a Jupyter kernel included)
installs the network guard when ``XAI_COURSE_OFFLINE=1``."""

import os

if os.environ.get("XAI_COURSE_OFFLINE") == "1":
    import netguard

    netguard.install()
