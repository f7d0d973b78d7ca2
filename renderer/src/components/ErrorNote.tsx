/** A server-side or validation error shown in place, next to what caused it. */
export function ErrorNote({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <div className="error-note" role="alert">
      {message}
    </div>
  );
}
