"""hubcycle's domain package: models and pure rules of order cycles, shared by the three functions.

Nothing here imports boto3 except `hubcycle.repository` (the DynamoDB mapping) and the
local-system modules (`hubcycle.local`, `hubcycle.dev`), which are never imported by the rules.
"""
