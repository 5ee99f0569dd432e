import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['node_modules', 'openapi', 'trainer', 'tmp'] }),
  {
    rules: {
      'no-restricted-imports': ['error', { patterns: ['src/*', '../../../../*'] }]
    }
  }
]
