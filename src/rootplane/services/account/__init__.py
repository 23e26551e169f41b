"""AWS Account Management (``account``): contacts, alternate contacts, regions, account name, primary e-mail."""
