"""hubcycle's domain package: models and pure rules of order cycles, shared by the three functions.

The rules import no AWS SDK: `hubcycle.repository` (the DynamoDB mapping) and `hubcycle.adapters`
(the other services) use botocore, and the local-system modules (`hubcycle.local`, `hubcycle.dev`)
use moto and boto3; a function never imports those at run time.
"""
