"""``ray_repartition_pipeline``: Data-Juicer's Ray-dataset repartitioning, as a Spark repartition.

Data-Juicer 1.6.1 (``ops/pipeline/ray_repartition_pipeline.py``) calls Ray Data's
``repartition(num_blocks, shuffle)`` and refuses to run outside its Ray executor. It changes
how the rows are split into blocks, not which rows there are nor what they hold. Here it
selects every row and splits the table into ``num_blocks`` Spark partitions (the DataFrame
half is ``sparkops.spark.select.repartition``).
"""

from __future__ import annotations

from sparkops.core import Op, Param, declare, positive

declare(Op(
    name="ray_repartition_pipeline", kind="selector", family="select",
    doc="Split the rows into `num_blocks` partitions (Data-Juicer: Ray dataset blocks); every row is kept, "
        "unchanged.",
    params=(
        Param("num_blocks", "int", 1, "Number of partitions (Ray blocks) to split the rows into.", check=positive),
        Param("shuffle", "bool", False, "Move rows between all partitions (Spark's round-robin repartition); "
              "false merges neighbouring partitions where there are fewer to make, as Ray's split does, and "
              "repartitions where there are more."),
    ),
    frame="sparkops.spark.select.repartition:select",
    notes="Every row is selected and unchanged; in a job the dataset keeps its order (it is the input order, "
          "carried as data), where Data-Juicer's shuffle reorders the rows of its dataset. The partitions "
          "decide the parallelism of the ops after it in the same stage, as the blocks do in Data-Juicer. "
          "Data-Juicer refuses it outside its Ray executor; sparkops runs it anywhere. `shuffle` must be a "
          "boolean (Data-Juicer takes any value's truth).",
))
