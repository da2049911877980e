/** An operation without input: any field given is refused. */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a class with no fields is how "no input" is checked
export class NoInput {}
