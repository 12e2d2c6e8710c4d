DROP TABLE index_templates;
