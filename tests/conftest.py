pytest_plugins = ["tests.cluster_fixtures", "tests.postgres_fixtures"]

# Hypothesis's per-example deadline (200 ms) measures the machine, not the code: on a shared,
# loaded machine it fails tests whose inputs are fine. Time bounds that matter are asserted
# explicitly where they are promised (e.g. the unreachable-cluster test).
from hypothesis import settings  # noqa: E402

settings.register_profile("kafka-audit", deadline=None)
settings.load_profile("kafka-audit")
