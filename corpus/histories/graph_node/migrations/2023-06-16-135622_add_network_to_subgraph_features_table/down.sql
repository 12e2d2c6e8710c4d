ALTER TABLE subgraphs.subgraph_features
DROP COLUMN network;