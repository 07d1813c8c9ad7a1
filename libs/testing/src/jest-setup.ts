// Integration and end-to-end tests wait on real brokers and databases.
jest.setTimeout(120_000);
