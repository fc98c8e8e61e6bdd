"""The AWS services other than DynamoDB: SES, EventBridge, EventBridge Scheduler, Cognito's keys.
Rules never import these; services pass them in."""
