import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client.ts';
import { App } from './App.tsx';
import { CounterStore } from './state/counter-store.ts';
import './styles.css';

const store = new CounterStore(createClient());
void store.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
