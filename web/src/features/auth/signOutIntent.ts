let deliberate = false;

/**
 * Marks the coming redirect to /login as a deliberate logout, so the login page does not offer to return
 * to the page the user was on. Reset when the next session starts.
 */
export function setDeliberateSignOut(value: boolean) {
  deliberate = value;
}

export function isDeliberateSignOut(): boolean {
  return deliberate;
}
