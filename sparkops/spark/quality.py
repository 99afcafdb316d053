"""``sparkops quality train | eval | predict``: Data-Juicer's quality-classifier tool in Spark ML.

Training is Data-Juicer's pipeline (``qc_utils.train``): Spark ML's ``Tokenizer`` (or, for
Chinese, sparkops' ``zh_chars`` tokens made in a pandas UDF, as Data-Juicer applies its
sentencepiece tokenizer outside the pipeline) -> ``HashingTF`` -> ``LogisticRegression``, positives
labelled 1, negatives 0. The fitted pipeline is exported to sparkops' model file (the non-zero
coefficients), which the ``quality_classifier_filter`` op and ``quality_score`` evaluate in pure
Python; ``export_model`` checks that its scores equal Spark's on the training sample it is given.

Inputs: ``.txt`` (one document per line), ``.json`` / ``.jsonl`` (a ``text_key`` field) or
``.parquet``; several paths may be given for each side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sparkops.core import OpError
from sparkops.ops.quality.classifier_model import QualityModel, zh_tokenize
from sparkops.ops.quality.quality_classifier import should_keep
from sparkops.text.spark_features import DEFAULT_NUM_FEATURES

TOKENIZER_OF_LANG = {"en": "spark", "zh": "zh_chars"}
KEEP_OF_LANG = {"en": "gpt3", "zh": "label"}  # Data-Juicer's predict tool: gpt3 -> gpt3, chinese -> label


@dataclass(frozen=True)
class TrainSettings:
    num_features: int = DEFAULT_NUM_FEATURES
    reg_param: float = 0.0          # Data-Juicer: LogisticRegression() defaults (0.0, 100 iterations)
    elastic_net: float = 0.0
    max_iter: int = 100


def read_texts(spark, paths: list[str], text_key: str = "text"):
    """A DataFrame with one string column ``text`` of the documents in ``paths``."""
    frames = []
    for path in paths:
        if path.endswith(".txt"):
            df = spark.read.text(path).withColumnRenamed("value", "text")
        elif path.endswith(".parquet"):
            df = spark.read.parquet(path).select(text_key).withColumnRenamed(text_key, "text")
        else:
            multi = path.endswith(".json") and _is_json_array(path)
            df = spark.read.option("multiLine", multi).json(path)
            if text_key not in df.columns:
                raise OpError(f"{path}: no field {text_key!r} (fields: {', '.join(df.columns)})")
            df = df.select(text_key).withColumnRenamed(text_key, "text")
        frames.append(df.where("text IS NOT NULL").selectExpr("CAST(text AS STRING) AS text"))
    if not frames:
        raise OpError("no input paths")
    out = frames[0]
    for df in frames[1:]:
        out = out.unionByName(df)
    return out


def _is_json_array(path: str) -> bool:
    with open(path, encoding="utf-8") as handle:
        return handle.read(4096).lstrip().startswith("[")


def _with_words(df, tokenizer: str):
    """Data-Juicer tokenizes outside the pipeline when the tokenizer is not Spark's."""
    if tokenizer == "spark":
        return df
    from pyspark.sql.functions import col, udf

    return df.withColumn("words", udf(lambda text: zh_tokenize(text), "array<string>")(col("text")))


def pipeline(tokenizer: str, settings: TrainSettings):
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import HashingTF, Tokenizer

    stages = [Tokenizer(inputCol="text", outputCol="words")] if tokenizer == "spark" else []
    stages += [HashingTF(inputCol="words", outputCol="features", numFeatures=settings.num_features),
               LogisticRegression(regParam=settings.reg_param, elasticNetParam=settings.elastic_net,
                                  maxIter=settings.max_iter)]
    return Pipeline(stages=stages)


def fit(spark, positive, negative, tokenizer: str, settings: TrainSettings = TrainSettings()):
    """The fitted Spark ``PipelineModel`` on two DataFrames of ``text``."""
    data = positive.selectExpr("text", "1.0 AS label").unionByName(negative.selectExpr("text", "0.0 AS label"))
    return pipeline(tokenizer, settings).fit(_with_words(data, tokenizer))


def spark_scores(spark, fitted, texts: list[str], tokenizer: str) -> list[float]:
    """Spark's ``probability[1]`` per text, in order (the reference the kernel must equal)."""
    df = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "i long, text string")
    rows = fitted.transform(_with_words(df, tokenizer)).select("i", "probability").collect()
    by_i = {r.i: float(r.probability[1]) for r in rows}
    return [by_i[i] for i in range(len(texts))]


def export_model(fitted, tokenizer: str, keep_method: str, info: dict | None = None) -> QualityModel:
    """The fitted pipeline as sparkops' model (non-zero coefficients only)."""
    lr = fitted.stages[-1]
    hashing = fitted.stages[-2]
    coef = lr.coefficients.toArray()
    nonzero = coef.nonzero()[0]
    return QualityModel(tokenizer, int(hashing.getNumFeatures()), float(lr.intercept),
                        {int(i): float(coef[i]) for i in nonzero}, keep_method, dict(info or {}))


def binary_metrics(labels: list[int], scores: list[float], threshold: float = 0.5) -> dict:
    """Precision, recall, F1 (prediction = score > threshold, Spark's rule) and ROC AUC (ties count
    half). Data-Juicer's eval tool adds 1 to each count; these are the plain ratios."""
    tp = sum(1 for y, s in zip(labels, scores) if y == 1 and s > threshold)
    fp = sum(1 for y, s in zip(labels, scores) if y == 0 and s > threshold)
    fn = sum(1 for y, s in zip(labels, scores) if y == 1 and s <= threshold)
    tn = len(labels) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(labels), "positives": tp + fn, "negatives": fp + tn, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1, "auc": roc_auc(labels, scores)}


def roc_auc(labels: list[int], scores: list[float]) -> float | None:
    """P(score of a random positive > that of a random negative), ties half (Mann-Whitney U)."""
    pairs = sorted(zip(scores, labels))
    pos = sum(labels)
    neg = len(labels) - pos
    if not pos or not neg:
        return None
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mid_rank = (i + j + 1) / 2.0  # ranks i+1 .. j, averaged over the tie
        rank_sum += mid_rank * sum(lab for _, lab in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


# ---- the CLI (sparkops quality ...)

def cmd_train(args) -> int:
    from sparkops.spark.session import session

    spark = session()
    tokenizer = TOKENIZER_OF_LANG[args.lang]
    settings = TrainSettings(num_features=args.num_features, reg_param=args.reg_param)
    positive = read_texts(spark, args.positive, args.positive_key or args.text_key)
    negative = read_texts(spark, args.negative, args.negative_key or args.text_key)
    fitted = fit(spark, positive, negative, tokenizer, settings)
    if args.spark_model:
        fitted.write().overwrite().save(args.spark_model)  # Data-Juicer's tool loads this folder
    info = {"lang": args.lang, "positive": args.positive, "negative": args.negative,
            "settings": settings.__dict__}
    model = export_model(fitted, tokenizer, KEEP_OF_LANG[args.lang], info)
    sample = [r.text for r in positive.limit(20).collect()] + [r.text for r in negative.limit(20).collect()]
    worst = max(abs(a - b) for a, b in zip(spark_scores(spark, fitted, sample, tokenizer),
                                          [model.score(t) for t in sample]))
    if worst > 1e-9:
        raise SystemExit(f"exported model differs from Spark's pipeline by {worst} on the training sample")
    model.save(args.out)
    print(json.dumps({"out": args.out, "nonzero_weights": len(model.weights), "num_features": model.num_features}))
    return 0


def _scores_of(spark, model_path: str, paths: list[str], text_key: str) -> list[float]:
    from sparkops.ops.quality.quality_classifier import quality_model

    model = quality_model(model_path)
    return [model.score(r.text) for r in read_texts(spark, paths, text_key).toLocalIterator()]


def cmd_eval(args) -> int:
    from sparkops.spark.session import session

    spark = session()
    pos = _scores_of(spark, args.model, args.positive, args.positive_key or args.text_key)
    neg = _scores_of(spark, args.model, args.negative, args.negative_key or args.text_key)
    print(json.dumps(binary_metrics([1] * len(pos) + [0] * len(neg), pos + neg), indent=1))
    return 0


def cmd_predict(args) -> int:
    import pandas as pd

    from sparkops.spark.session import session

    spark = session()
    path = args.input
    df = (spark.read.parquet(path) if path.endswith(".parquet") else
          spark.read.option("multiLine", path.endswith(".json") and _is_json_array(path)).json(path))
    if args.text_key not in df.columns:
        raise OpError(f"{path}: no field {args.text_key!r} (fields: {', '.join(df.columns)})")
    from sparkops.ops.quality.quality_classifier import quality_model

    model_ref, seed, key = args.model, args.seed, args.text_key
    keep_method = args.keep_method or quality_model(model_ref).keep_method  # also checks the model early
    from pyspark.sql.types import DoubleType, LongType, StructField, StructType

    # a new StructType: `df.schema.add` would change the DataFrame's own cached schema
    schema = StructType(list(df.schema.fields) + [StructField("doc_score", DoubleType()),
                                                  StructField("should_keep", LongType())])

    def score(batches):
        m = quality_model(model_ref)
        for frame in batches:
            texts = frame[key].tolist()
            scores = [None if not isinstance(t, str) else m.score(t) for t in texts]
            frame["doc_score"] = pd.Series(scores, dtype="float64")
            frame["should_keep"] = pd.Series([None if s is None else should_keep(s, t, keep_method, seed)
                                              for s, t in zip(scores, texts)], dtype="Int64")
            yield frame

    out = df.mapInPandas(score, schema)
    out.write.mode("overwrite").json(args.out)
    print(json.dumps({"out": args.out, "rows": spark.read.json(args.out).count()}))
    return 0


def _keys(p) -> None:
    p.add_argument("--text-key", default="text", help="the text field of .json / .jsonl / .parquet inputs")
    p.add_argument("--positive-key", help="the positives' text field (default: --text-key)")
    p.add_argument("--negative-key", help="the negatives' text field (default: --text-key)")


def add_parser(sub) -> None:
    """``sparkops quality`` and its three commands."""
    p = sub.add_parser("quality", help="quality classifier (Data-Juicer's tool): train, eval, predict")
    q = p.add_subparsers(dest="quality_command", required=True)
    t = q.add_parser("train", help="fit tokenizer -> HashingTF -> LogisticRegression on positive / negative text")
    t.add_argument("--positive", nargs="+", required=True, help="curated text (.txt lines, .json/.jsonl, .parquet)")
    t.add_argument("--negative", nargs="+", required=True, help="text to score low")
    t.add_argument("--out", required=True, help="model file to write (.qc.json.gz)")
    t.add_argument("--lang", choices=sorted(TOKENIZER_OF_LANG), default="en",
                   help="en: Spark's Tokenizer; zh: CJK characters and bigrams")
    t.add_argument("--num-features", type=int, default=DEFAULT_NUM_FEATURES)
    t.add_argument("--reg-param", type=float, default=0.0, help="L2 regularisation (Data-Juicer: 0)")
    t.add_argument("--spark-model", help="also save the Spark PipelineModel to this folder")
    _keys(t)
    t.set_defaults(func=cmd_train)
    e = q.add_parser("eval", help="precision / recall / F1 / AUC on labelled text")
    e.add_argument("--model", required=True, help="en, zh, or a model file")
    e.add_argument("--positive", nargs="+", required=True)
    e.add_argument("--negative", nargs="+", required=True)
    _keys(e)
    e.set_defaults(func=cmd_eval)
    r = q.add_parser("predict", help="add doc_score and should_keep to every record")
    r.add_argument("input", help=".json/.jsonl or .parquet")
    r.add_argument("--model", default="en", help="en, zh, or a model file")
    r.add_argument("--out", required=True, help="output folder (JSON lines)")
    r.add_argument("--keep-method", choices=("gpt3", "label"), help="default: the model's own")
    r.add_argument("--seed", type=int, default=42)
    r.add_argument("--text-key", default="text")
    r.set_defaults(func=cmd_predict)

