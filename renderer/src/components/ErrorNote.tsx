/** A server-side or validation error shown in place, next to what caused it. Renders nothing without a message. */
export function ErrorNote({ message, testId }: { message: string | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <div className="error-note" role="alert" data-testid={testId}>
      {message}
    </div>
  );
}
