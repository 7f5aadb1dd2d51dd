// Entry: Fluent UI's styling engine stamps its <style> elements with this response's CSP nonce (the
// server allows no other inline style), then the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createDOMRenderer, FluentProvider, RendererProvider, webLightTheme } from '@fluentui/react-components';
import { App } from './app/App';

const nonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') ?? '';
const renderer = createDOMRenderer(document, { styleElementAttributes: nonce ? { nonce } : {} });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <RendererProvider renderer={renderer} targetDocument={document}>
      <FluentProvider theme={webLightTheme}>
        <App />
      </FluentProvider>
    </RendererProvider>
  </StrictMode>,
);
