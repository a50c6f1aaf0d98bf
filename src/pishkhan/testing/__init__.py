"""Test support shared by the apps' tests: the object routes of the authorization matrix
(`authz`) and the people and places every test builds through the real actions
(`personas`). Nothing here runs in production; no production module imports it."""
