alter table subgraphs.dynamic_ethereum_contract_data_source
      drop column id,
      drop column block_range;
