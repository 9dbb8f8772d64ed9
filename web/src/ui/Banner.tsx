/**
 * A 5:2 banner (a profile's or a server's), nothing when there is none. Ours name their 600 px rendition; the 1200 px
 * one beside it serves sharp screens.
 */
export function Banner({ url, alt, className = '' }: { url?: string | null; alt: string; className?: string }) {
  if (!url) return null;
  const sharp = url.endsWith('/600.webp') ? `${url} 1x, ${url.slice(0, -'600.webp'.length)}1200.webp 2x` : undefined;
  return <img src={url} srcSet={sharp} alt={alt} className={`aspect-[5/2] w-full object-cover ${className}`} />;
}
