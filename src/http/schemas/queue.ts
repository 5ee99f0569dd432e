/** The pipeline routes' schemas live with the queue (src/queue/schemas.ts); the routes import them from here. */
export * from '../../queue/schemas.ts'
