pytest_plugins = ["tests.cluster_fixtures", "tests.postgres_fixtures"]
