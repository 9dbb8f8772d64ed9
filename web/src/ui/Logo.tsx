export function Logo({ className = 'size-10' }: { className?: string }) {
  return (
    <svg viewBox="0 0 64 64" className={className} aria-hidden="true">
      <rect width="64" height="64" rx="18" fill="#5865f2" />
      <path d="M20 18h8v12l12-12h10L36 32l14 14H40L28 34v12h-8z" fill="#fff" />
    </svg>
  );
}
