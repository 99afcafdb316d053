"""Entry script for ``spark-submit``: the same ``sparkops`` commands on any cluster.

    spark-submit --master spark://host:7077 \\
        --packages io.delta:delta-spark_4.2_2.13:4.4.0 \\
        --conf spark.executorEnv.PYSPARK_PYTHON=/path/to/venv/bin/python \\
        sparkops/submit.py run jobs/web_refine.yaml

spark-submit starts the JVM (so it decides master, jars and driver memory); ``sparkops``
then only adds the settings still unset (Delta extensions, Arrow, ...). The executors need
sparkops installed (or shipped with ``--py-files``) and the input paths readable.
"""

import os
import sys

if __name__ == "__main__":
    # spark-submit runs this file as a script: make the checkout importable if sparkops is not installed
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from sparkops.cli import main

    sys.exit(main())
