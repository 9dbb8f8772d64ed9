import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { tokenStore } from './api/client';
import { App } from './app/App';
import './index.css';
import { registerServiceWorker } from './platform/serviceWorker';

registerServiceWorker();

// A host's token storage may answer asynchronously (an OS keyring): the route guards need to know first.
void tokenStore.ready.then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  ),
);
