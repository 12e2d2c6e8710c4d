DROP TABLE trustpub_configs_gitlab;
