/** A failure of the bench with a message meant for the reader (no stack trace needed). */
export class BenchError extends Error {}
