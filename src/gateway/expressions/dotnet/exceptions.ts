// .NET exceptions as expressions throw them. An expression that throws sends the request to on-error,
// where context.LastError.Message carries the exception's message, as API Management does.

export class DotNetException extends Error {
  /** `type`: the .NET full name, e.g. `System.FormatException`. */
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

export const nullReference = () => new DotNetException('System.NullReferenceException', 'Object reference not set to an instance of an object.');
export const formatError = (message = 'Input string was not in a correct format.') => new DotNetException('System.FormatException', message);
export const invalidCast = (from: string, to: string) => new DotNetException('System.InvalidCastException', `Unable to cast object of type '${from}' to type '${to}'.`);
export const argumentError = (message: string, param?: string) => new DotNetException('System.ArgumentException', param ? `${message} (Parameter '${param}')` : message);
export const argumentNull = (param: string) => new DotNetException('System.ArgumentNullException', `Value cannot be null. (Parameter '${param}')`);
export const argumentOutOfRange = (param: string, message = 'Specified argument was out of the range of valid values.') =>
  new DotNetException('System.ArgumentOutOfRangeException', `${message} (Parameter '${param}')`);
export const indexOutOfRange = () => new DotNetException('System.IndexOutOfRangeException', 'Index was outside the bounds of the array.');
export const keyNotFound = (key: string) => new DotNetException('System.Collections.Generic.KeyNotFoundException', `The given key '${key}' was not present in the dictionary.`);
export const invalidOperation = (message: string) => new DotNetException('System.InvalidOperationException', message);
export const overflow = (message = 'Arithmetic operation resulted in an overflow.') => new DotNetException('System.OverflowException', message);
export const divideByZero = () => new DotNetException('System.DivideByZeroException', 'Attempted to divide by zero.');
