/** Form checks for a credential's username and password, as the core applies them. */
const USERNAME = /^[\x21-\x7e]{1,128}$/;

export function usernameProblem(u: string): string | undefined {
  if (!u) return 'Enter a username.';
  if (!USERNAME.test(u)) return 'Use 1 to 128 printable ASCII characters without spaces.';
  if (u.toLowerCase() === 'authorization') return '"authorization" is reserved for API-key logins.';
  return undefined;
}

export function passwordProblem(p: string): string | undefined {
  if (p.length < 8) return 'At least 8 characters.';
  if (p.length > 1024) return 'At most 1024 characters.';
  return undefined;
}
