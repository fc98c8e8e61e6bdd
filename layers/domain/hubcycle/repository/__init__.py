"""The DynamoDB mapping: every key, item shape and request of the single table lives in this
package (one module per concept), described in docs/data-model.md."""
