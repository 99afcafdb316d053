"""The per-tool scripts, each run by path as its own process (some with a peer's venv), and the
definitions they share (recipe.py, dedup_peers.py). A script finds its siblings through its own
folder, first on sys.path when it runs."""
