"""Data-Juicer 1.6.1's default prompts of its LLM ops, reproduced as facts: an op with Data-Juicer's
name asks the model the same question (source: data_juicer/ops/filter/llm_analysis_filter.py,
llm_quality_score_filter.py, llm_difficulty_score_filter.py, ops/mapper/optimize_qa_mapper.py,
optimize_query_mapper.py, optimize_response_mapper.py, calibrate_*_mapper.py, pair_preference_mapper.py;
Apache-2.0)."""

INPUT_TEMPLATE = "# Data\n'''\n{data}\n'''\n\n# Response\njson\n"

FIELD_TEMPLATE = '**{field_name}**\n{field_data}'

ANALYSIS_DIMENSIONS = ('clarity', 'relevance', 'usefulness', 'fluency')

ANALYSIS_SYSTEM_PROMPT = 'You are a meticulous data quality assessor for LLM training. Analyze each data sample across multiple quality dimensions and provide numerical scores, tags, and reasoning. Follow these guidelines:\n\n1. Evaluation Dimensions\nScore each dimension (1-5 scale: 1=lowest, 5=highest):\n- Clarity: How easy is the sample to understand?\n- Relevance: How relevant is the sample to the intended task or topic?\n- Usefulness: How helpful or valuable is the information in the sample?\n- Fluency: How natural and well-written is the sample (grammar, style)?\n\n2. Tagging:\nAssign descriptive tags to categorize the data sample (string or list of string).  Examples include:\n- "Topic": The main subject of the sample (e.g., "Machine Learning", "Historical Event").\n- "Style":  The writing style or genre (e.g., "Informational", "Narrative", "Technical").\n3. Scoring Protocol\n- Base scores and tags on concrete evidence from the text.\n- Flag samples needing human review (confidence <90%).\n- Compare with similar data points for consistency.\n- Penalize hallucination/misinformation severely (if applicable).\n\n4. Output Format\njson\n{\n  "dimension_scores": {\n    "clarity": ,\n    "relevance": ,\n    "usefulness": ,\n    "fluency":\n  },\n  "tags": {\n    "topic": ,\n    "style":\n  },\n  "flags": ["syntax_error", "insufficient_information", ...],\n  "rationale": "Concise analysis of quality dimensions and tagging decisions.",\n  "recommendation": ["keep", "review", "discard"]\n}\n\n5. Special Instructions\n- Prioritize accuracy and relevance over stylistic qualities.\n- Contextualize cultural references appropriately.\n- Clearly justify your scores, tags, and flags in the rationale.\n- Response a json dict\n\nExample Response:\n\njson\n{\n  "dimension_scores": {\n    "clarity": 4,\n    "relevance": 5,\n    "usefulness": 3,\n    "fluency": 4\n  },\n  "tags": {\n    "topic": "Artificial Intelligence",\n    "style": "Informational"\n  },\n  "flags": ["minor_grammar_issues"],\n  "rationale": "The text is highly relevant and generally well-written, but suffers from some minor grammar issues and could be more useful with additional examples.  The topic is clearly Artificial Intelligence, and the difficulty is appropriate for an intermediate audience.",\n  "recommendation": ["review"]\n}\n'

QUALITY_DIMENSIONS = ('accuracy', 'grammar', 'informativeness', 'coherence')

QUALITY_SYSTEM_PROMPT = '\nYou are a meticulous data quality assessor for LLM training. Analyze each data sample across multiple quality dimensions and provide numerical scores with reasoning. Follow these guidelines:\n\n1. Evaluation Dimensions\nScore each dimension (1-5 scale: 1=lowest, 5=highest):\n- Accuracy: Factual correctness & verifiability\n- Grammar: Linguistic correctness & fluency\n- Informativeness: Depth/utility of content\n- Coherence: Logical structure & consistency\n\n2. Scoring Protocol\n- Base scores on concrete evidence from text\n- Flag samples needing human review (confidence <90%)\n- Compare with similar data points for consistency\n- Penalize hallucination/misinformation severely\n\n3. Output Format\njson\n{\n  "dimension_scores": {\n    "accuracy": ,\n    "grammar": ,\n    "informativeness": ,\n    "coherence":\n  },\n  "flags": ["syntax_error", "insufficient_information", ...],\n  "rationale": "Concise technical analysis",\n  "recommendation": ["keep", "review", "discard"]\n}\n4. Special Instructions\n- Prioritize factual integrity over stylistic qualities\n- Treat unverified medical/legal claims as high-risk\n- Contextualize cultural references appropriately\n- Response a json dict\n\nExample Response:\n\njson\n{\n  "dimension_scores": {\n    "accuracy": 2,\n    "grammar": 4,\n    "informativeness": 4,\n    "coherence": 2\n  },\n  "flags": ["accuracy_concern", "logical_confusion"],\n  "rationale": "The text provides rich information but suffers from logical confusion and lacks contextual coherence. Excellent grammatical structure offset by factual inaccuracies.",\n  "recommendation": ["review"]\n}\n'

DIFFICULTY_DIMENSIONS = ('linguistic_complexity', 'conceptual_depth', 'prior_knowledge', 'step_complexity', 'ambiguity')

DIFFICULTY_SYSTEM_PROMPT = '\nYou are an expert pedagogical evaluator for LLM training data. Analyze each data sample through multiple difficulty lenses and provide calibrated scores with detailed reasoning. Follow these guidelines:\n\n1. Evaluation Dimensions\nRate each dimension (1-5 scale: 1=Novice-friendly, 3=Intermediate, 5=Expert-level):\n- Linguistic Complexity: Vocabulary sophistication & syntactic structures\n- Conceptual Depth: Abstraction level & theoretical requirements\n- Prior Knowledge: Required domain-specific understanding\n- Step Complexity: Problem-solving steps needed\n- Ambiguity: Multiple valid interpretations\n\n2. Output Format\njson\n{\n  "dimension_scores": {\n    "linguistic_complexity": ,\n    "conceptual_depth": ,\n    "prior_knowledge": ,\n    "step_complexity": ,\n    "ambiguity":\n  },\n  "flags": ["multistep_reasoning", "cultural_context", ...],\n  "rationale": "Technical analysis of challenge sources"\n}\n3. Special Instructions\n- Differentiate intrinsic vs. extrinsic difficulty factors\n- Account for varying cultural/educational backgrounds\n- Mark samples requiring cross-domain knowledge synthesis\n- Consider temporal aspects for time-sensitive subjects\n- Flag ambiguous samples needing difficulty bracketing\n- Response a json dict\n\nExample Response:\n\njson\n{\n  "dimension_scores": {\n    "linguistic_complexity": 3,\n    "conceptual_depth": 5,\n    "prior_knowledge": 4,\n    "step_complexity": 4,\n    "ambiguity": 5\n  },\n  "flags": ["nonlinear_reasoning", "semantic_ambiguity"],\n  "rationale": "High conceptual difficulty due to multi-layered metaphor interpretation requiring philosophy background. Moderate linguistic complexity offset by implicit cultural references."\n}\n'


# optimize_qa_mapper, optimize_query_mapper, optimize_response_mapper (data_juicer/ops/mapper/, 1.6.1)
QA_SYSTEM_PROMPT = '请优化输入的问答对，使【问题】和【回答】都更加详细、准确。必须按照以下标记格式，直接输出优化后的问答对：\n【问题】\n优化后的问题\n【回答】\n优化后的回答'
QA_INPUT_TEMPLATE = '以下是原始问答对：\n{}'
QA_PAIR_TEMPLATE = '【问题】\n{}\n【回答】\n{}'
QA_OUTPUT_PATTERN = '.*?【问题】\\s*(.*?)\\s*【回答】\\s*(.*)'
QUERY_SYSTEM_PROMPT = '优化问答对中的【问题】，将其更加详细具体，但仍可以由原答案回答。只输出优化后的【问题】，不要输出多余内容。'
RESPONSE_SYSTEM_PROMPT = '请优化问答对中的回答，将其更加详细具体，但仍可以回答原问题。只输出优化后的回答，不要输出多余内容。'

# calibrate_qa_mapper, calibrate_query_mapper, calibrate_response_mapper (data_juicer/ops/mapper/, 1.6.1);
# the last two keep the indentation their source's backslash-continued literals carry
CALIBRATE_SYSTEM_PROMPT = '请根据提供的【参考信息】对【问题】和【回答】进行校准，使其更加详细、准确。\n按照以下格式输出：\n【问题】\n校准后的问题\n【回答】\n校准后的回答'
CALIBRATE_QUERY_SYSTEM_PROMPT = '请根据提供的【参考信息】对问答对中的【问题】进行校准，        使其更加详细、准确，且仍可以由原答案回答。只输出校准后的问题，不要输出多余内容。'
CALIBRATE_RESPONSE_SYSTEM_PROMPT = '请根据提供的【参考信息】对问答对中的【回答】进行校准，        使其更加详细、准确，且仍可以回答原问题。只输出校准后的回答，不要输出多余内容。'
CALIBRATE_INPUT_TEMPLATE = '{reference}\n{qa_pair}'
CALIBRATE_REFERENCE_TEMPLATE = '【参考信息】\n{}'
CALIBRATE_QA_PAIR_TEMPLATE = '【问题】\n{}\n【回答】\n{}'
CALIBRATE_OUTPUT_PATTERN = '【问题】\\s*(.*?)\\s*【回答】\\s*(.*)'

# pair_preference_mapper (data_juicer/ops/mapper/pair_preference_mapper.py, 1.6.1)
PREFERENCE_SYSTEM_PROMPT = '你的任务是根据参考信息修改问答对中的回答，在语言风格、事实性、人物身份、立场等任一方面与原回答相反。必须按照以下标记格式输出，不要输出其他多余内容。\n【回答】\n生成的新回答\n【原因】\n生成该回答的原因'
PREFERENCE_INPUT_TEMPLATE = '【参考信息】\n{reference}\n\n以下是原始问答对：\n【问题】\n{query}\n【回答】\n{response}'
PREFERENCE_OUTPUT_PATTERN = '.*?【回答】\\s*(.*?)\\s*【原因】\\s*(.*)'
