DOCS = {k: k for k in ("log_iv", "log_ive", "log_kv", "log_kve", "iv_ratio")}
