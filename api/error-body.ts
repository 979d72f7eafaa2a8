// The one JSON error body of the API (docs/errors.md), as a schema for the OpenAPI document.
import Type from 'typebox'

export const ErrorBodySchema = Type.Object({
  code: Type.String({ description: 'stable error code, listed in docs/errors.md' }),
  message: Type.String({ description: 'what is wrong, naming the field' }),
})
